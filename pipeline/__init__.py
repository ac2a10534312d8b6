"""claims: quantitative claims about companies, extracted from news articles with offsets."""

__version__ = "0.1.0"
