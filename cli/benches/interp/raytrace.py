# A raytrace-like workload: float vectors as objects, sphere hits, shading.
import math

class Vec:
    def __init__(self, x, y, z):
        self.x = x
        self.y = y
        self.z = z

    def add(self, o):
        return Vec(self.x + o.x, self.y + o.y, self.z + o.z)

    def sub(self, o):
        return Vec(self.x - o.x, self.y - o.y, self.z - o.z)

    def scale(self, k):
        return Vec(self.x * k, self.y * k, self.z * k)

    def dot(self, o):
        return self.x * o.x + self.y * o.y + self.z * o.z

    def norm(self):
        return self.scale(1.0 / math.sqrt(self.dot(self)))

SPHERES = [(Vec(0.0, 0.0, 5.0), 1.0), (Vec(1.5, 0.5, 6.0), 0.7), (Vec(-1.5, -0.5, 4.5), 0.5)]
LIGHT = Vec(1.0, 1.0, -1.0).norm()

def hit(origin, direction):
    best = None
    for centre, radius in SPHERES:
        oc = origin.sub(centre)
        b = oc.dot(direction)
        c = oc.dot(oc) - radius * radius
        disc = b * b - c
        if disc > 0:
            t = -b - math.sqrt(disc)
            if t > 0 and (best is None or t < best[0]):
                best = (t, centre)
    return best

def render(size):
    origin = Vec(0.0, 0.0, 0.0)
    total = 0.0
    for j in range(size):
        for i in range(size):
            d = Vec((i - size / 2) / size, (j - size / 2) / size, 1.0).norm()
            h = hit(origin, d)
            if h:
                point = origin.add(d.scale(h[0]))
                normal = point.sub(h[1]).norm()
                total += max(0.0, normal.dot(LIGHT))
    return total

print(round(render(150), 3))
