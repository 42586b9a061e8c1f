"""公文 (official documents): the Word layout and the charts every document of `reports` shares.

`document.OfficialDocument` lays a document out as GB/T 9704-2012 has it (A4, the type
area's margins, title, 文号, body in 仿宋 三号, headings 一、 in 黑体 and （一） in 楷体,
page numbers "— 1 —", the signature and seal block); `chart` draws a chart as a PNG
with Chinese labels for embedding. Figures come from the report-data functions, never
from here.
"""
