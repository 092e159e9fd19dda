# Sorting: list.sort and sorted() of 100,000 ints, with a key and reversed.
data = [(i * 7919) % 100003 for i in range(100000)]
a = sorted(data)
b = sorted(data, key=lambda x: -x)
data.sort(reverse=True)
print(a[0], a[-1], b[0], data[0])
