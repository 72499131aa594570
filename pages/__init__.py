"""One module per screen. Each defines only render(); nothing runs at import (DESIGN.md)."""
