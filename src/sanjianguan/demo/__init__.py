"""The demo (演示): a synthetic region analysed end to end and its clues walked through the loop.

`run` orchestrates the steps, `org` creates the demo organisation and users, `walk`
drives a few clues through every state of the workflow.
"""

from sanjianguan.demo.run import DemoOptions, DemoResult, run_demo

__all__ = ["DemoOptions", "DemoResult", "run_demo"]
