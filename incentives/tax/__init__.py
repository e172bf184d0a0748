"""Environmental protection tax on air pollutants (env-tax.md); `incentives.env_tax` is the public facade."""
