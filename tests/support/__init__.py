"""Helpers the fault tests run beside the app: a stand-in write path in its own process, a TCP
proxy that can cut the database away."""
