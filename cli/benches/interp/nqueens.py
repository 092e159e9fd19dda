# n-queens by backtracking over sets of attacked columns and diagonals.
def solve(n):
    count = 0
    def place(row, cols, d1, d2):
        nonlocal count
        if row == n:
            count += 1
            return
        for c in range(n):
            if c not in cols and (row + c) not in d1 and (row - c) not in d2:
                cols.add(c)
                d1.add(row + c)
                d2.add(row - c)
                place(row + 1, cols, d1, d2)
                cols.remove(c)
                d1.remove(row + c)
                d2.remove(row - c)
    place(0, set(), set(), set())
    return count

print(solve(10), solve(11))
