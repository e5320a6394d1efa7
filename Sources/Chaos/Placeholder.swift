// Placeholder until the chaos runner lands.
