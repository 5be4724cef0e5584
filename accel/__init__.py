"""memlab.accel"""
