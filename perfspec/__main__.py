from perfspec.cli import main_entry

main_entry()
