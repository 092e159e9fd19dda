# A pystone-like loop: records, procedure calls, globals, attribute traffic.
class Record:
    def __init__(self, next_rec=None, discr=0, enum_comp=0, int_comp=0, str_comp=''):
        self.next_rec = next_rec
        self.discr = discr
        self.enum_comp = enum_comp
        self.int_comp = int_comp
        self.str_comp = str_comp

    def copy(self):
        return Record(self.next_rec, self.discr, self.enum_comp, self.int_comp, self.str_comp)

glob_int = 0
glob_bool = False
glob_array = [0] * 51

def proc3(rec):
    global glob_int
    if rec is not None:
        glob_int = rec.int_comp + 10
    return rec

def proc1(rec):
    nxt = rec.next_rec
    nxt.int_comp = rec.int_comp
    rec.int_comp = 5
    nxt = proc3(nxt)
    if nxt.discr == 0:
        nxt.int_comp = 6
        nxt.enum_comp = (rec.enum_comp + 1) % 5
    else:
        rec = nxt.copy()
    return rec

def func1(a, b):
    return 0 if a != b else 1

def run(loops):
    global glob_bool
    rec = Record(Record(), 0, 2, 40, 'DHRYSTONE PROGRAM, SOME STRING')
    total = 0
    for i in range(loops):
        rec = proc1(rec)
        glob_bool = func1('A', 'B') == 0
        glob_array[i % 51] = i
        s = "DHRYSTONE PROGRAM, %d'ND STRING" % (i % 7)
        total += len(s) + glob_int
    return total

print(run(200000))
