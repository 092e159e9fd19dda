x = ((((((1))))))
print(x)
raise ValueError("boom")
