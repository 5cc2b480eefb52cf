"""Channels: thin adapters between a transport (web, Telegram) and the assistant core."""
