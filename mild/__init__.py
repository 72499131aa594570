"""The MILD domain: pure rules on plain values. No Streamlit, no SQLAlchemy, no I/O."""
