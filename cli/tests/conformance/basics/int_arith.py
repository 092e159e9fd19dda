# Passes: the output is the .exp file's.
print(7 // 2, -7 // 2, 7 % -3, 2 ** 10)
