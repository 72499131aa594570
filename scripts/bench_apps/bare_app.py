"""The floor: a bare Streamlit app whose button counts presses (what any click costs)."""

import streamlit as st

if "presses" not in st.session_state:
    st.session_state.presses = 0


def press() -> None:
    st.session_state.presses += 1


st.button("Press", key="press", on_click=press)
st.text(f"Pressed {st.session_state.presses}")
