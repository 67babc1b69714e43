"""One APIRouter per module; main.py includes them in this order."""
