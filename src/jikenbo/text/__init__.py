"""Japanese text handling: normalisation with offsets, numbers, dates."""
