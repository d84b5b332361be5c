import setuptools
print("app runs with setuptools", setuptools.__version__)
