"""The Telegram channel (python-telegram-bot 22): handlers, the webhook inbox, runtime.

Named `tg` so that nothing here can shadow the `telegram` library.
"""
