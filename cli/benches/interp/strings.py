# String building: formatting, joining, splitting, slicing, searching.
def work(n):
    total = 0
    for i in range(n):
        s = '%d:%s:%x' % (i, 'abc' * (i % 5), i)
        parts = s.split(':')
        joined = '-'.join(parts)
        total += len(joined) + joined.find('c') + len(s.upper()) + len(s[1:-1].replace('a', 'xy'))
        total += len('{}/{}'.format(i, len(parts)))
    return total

print(work(60000))
