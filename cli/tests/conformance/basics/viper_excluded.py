# Excluded by name: the board has no viper emitter.
print("never run")
