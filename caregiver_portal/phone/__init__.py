"""Phone requests (电话代录): the duty worker records a request for a resident who phoned or came to the desk."""
