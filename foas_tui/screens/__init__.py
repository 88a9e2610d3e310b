"""Screens: one file per screen (main, help, command log, auth help, jump prompt) and the feature mixins."""
