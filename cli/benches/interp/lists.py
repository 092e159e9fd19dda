# Lists: append, comprehension, slicing, sort, sum, index.
def work(rounds):
    total = 0
    for r in range(rounds):
        data = [(i * 7919 + r) % 1009 for i in range(2000)]
        data.sort()
        evens = [x for x in data if x % 2 == 0]
        total += sum(evens[::3]) + len(data[100:900])
        stack = []
        for x in data[:500]:
            stack.append(x)
            if len(stack) > 10:
                stack.pop(0)
        total += stack[-1]
    return total

print(work(600))
