"""分析视图: the analytic store read for one user (指标、数据采集、规则), and the code-mapping action.

The analytic half knows nothing of users; this package sits with the workflow stages and
applies the jurisdiction (`access`) to what the store holds: a regional role sees its
region's institutions, an institution its own, an expert nothing. It is what the pages
call; mapping a code here is audited in the workflow store (the analytic side cannot
import `audit`), which is why the orchestration lives here and not in `quality` or
`analytic_store`.
"""
