// Package configs loads Lore's one configuration value: defaults, then a
// YAML file, then LORE_* environment overrides. It is the only package that
// reads the environment; cmd/lore hands each section to the package it
// configures. lore.example.yaml beside this file documents every setting.
package configs
