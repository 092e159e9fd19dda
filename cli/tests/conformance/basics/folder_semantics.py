# Passes: a helper imported from the test's own folder, a data file read
# from the working directory; the expected output is the reference's.
from pkg import helper

print(helper.GREETING)
with open("pkg/word.txt") as f:
    print(f.read().strip())
