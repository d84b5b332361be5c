FROM python:3.12 AS build
RUN pip wheel -w /wheels flask && pip install flask
FROM python:3.12-slim
COPY --from=build /wheels /wheels
