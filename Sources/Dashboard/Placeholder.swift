// Placeholder until the dashboard core lands.
