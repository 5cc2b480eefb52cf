"""The Telegram channel: a bot that carries the one assistant to people's phones, by polling or webhook."""
