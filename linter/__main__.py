from flylint.cli import main

main()
