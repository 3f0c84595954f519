from lstm_tuning.cli import main

main()
