FROM a
CMD ["a", {"b": 1}]
