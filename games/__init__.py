"""Built-in games, installed as ``arpose.games``: one module per game, using only arpose's public API."""
