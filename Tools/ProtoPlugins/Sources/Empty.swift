// Intentionally empty: this package only builds protoc plugins from its dependencies.
