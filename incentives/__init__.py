"""Domain of the grade-incentive service: pure Python, no web framework, no clock, no environment."""
