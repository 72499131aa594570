"""The bare app served as the dashboard is (st.App under uvicorn), for a like-for-like floor."""

from pathlib import Path

import streamlit as st

app = st.App(Path(__file__).resolve().parent / "bare_app.py")
