# hello

# only comments
