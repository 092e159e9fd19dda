import time
while True:
    pass
