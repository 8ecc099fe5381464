"""The side-by-side benchmark of etvision and its peers run by bench/run.sh (see main.py)."""
