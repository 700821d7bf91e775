from tinycrm.entry import main

main()
