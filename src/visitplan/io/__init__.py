"""Reading the input files and writing the plan files."""
