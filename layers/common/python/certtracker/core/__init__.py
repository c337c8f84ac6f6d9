"""What every domain uses: the resolver and its one error mapping, settings, the clock, AWS clients,
time budgets, tokens, cursors, field types, throttles and email."""
