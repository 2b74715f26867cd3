"""Hand signs: a trainable recogniser of static handshapes and dynamic signs.

The analysis layer, beside :mod:`arpose.coach`: it reads hand landmarks and imports only
the layers below it.
"""
