"""数据提交 (data submission): an institution's batch sent through the browser, and its report."""
