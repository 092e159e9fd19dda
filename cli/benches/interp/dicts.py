# Dictionaries: inserts, lookups, updates and deletes with int and str keys.
def work(n):
    d = {}
    for i in range(n):
        d[i] = i * 2
        d['k%d' % (i % 1000)] = i
    total = 0
    for i in range(n):
        total += d.get(i, 0) + d.get('k%d' % (i % 1000), 0)
        if i % 3 == 0:
            del d[i]
    for k in d:
        total += 1
    return total

print(work(40000))
