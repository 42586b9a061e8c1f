"""Knowledge base (知识库): reference tables, the sample KB, importers."""
