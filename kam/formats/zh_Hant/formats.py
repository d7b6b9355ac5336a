# Taiwan and Hong Kong group thousands by three with a comma; Django's defaults group by four with no
# separator, which a finance reader does not expect in amounts.
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
