from zhixing.cli import main

main()
