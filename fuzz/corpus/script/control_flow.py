def f(n):
    try:
        for i in range(n):
            try:
                if i == 2:
                    break
            finally:
                continue
    finally:
        return n
print(f(5))
class A:
    def __init__(self):
        self.x = [i*i for i in range(10)]
print(A().x, {k: v for k, v in zip("ab", (1, 2))})
