"""Streamlit helpers shared by pages: the signed-in user, safe actions, formatting."""
