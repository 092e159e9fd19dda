# Not counted: the reference does not match the .exp file.
import sys

print(sys.implementation.name)
