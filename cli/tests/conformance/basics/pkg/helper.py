GREETING = "hello from the test folder"
